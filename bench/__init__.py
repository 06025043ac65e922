"""The benchmark (`make bench`): the pipeline against the floor at real scale; see bench/README.md."""
