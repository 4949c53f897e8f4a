"""Command-line interface: ``equiact SUBCOMMAND ...`` (see ``equiact --help``)."""
