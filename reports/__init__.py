"""PDF reports: building (reportlab) and signing (pyHanko). No Qt, no database."""
