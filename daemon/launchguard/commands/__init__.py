"""One module per `launchguard` subcommand."""
