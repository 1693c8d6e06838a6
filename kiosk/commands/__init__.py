"""Implementations of ``kiosk`` subcommands, one module per command; ``kiosk.cli`` wires them."""
