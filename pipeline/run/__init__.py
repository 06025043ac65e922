"""Running: content keys (what each notebook depends on), notebook kernels, one run of a project at a time, and
the runner that executes every jurisdiction's notebooks."""
