// An artifact whose manifest is malformed in the way MANIFEST selects; the
// runtime must refuse to load it with one line, never index out of bounds.
const char swr_artifact_manifest[] =
    "swr-artifact 1\n"
    "target cpu\n"
    "function f\n"
    "arg memref f32 " DIMS "\n"
    CONSTRAINT
    "end\n";
void _swr_entry_f(void **args) { (void)args; }
