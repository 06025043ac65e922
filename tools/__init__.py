"""Tools that make inputs for the pipeline but are not part of it: the synthetic releases and their planted truth."""
