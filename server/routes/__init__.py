"""The server's routers, one module per audience: stations (sync), the centre
console, administration, and operations."""
