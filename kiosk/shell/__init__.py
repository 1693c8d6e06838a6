"""The Qt shell: the application and main window, the screens, the battery host and
the break between games, the background runner, style and texts.

Everything with Qt in ``kiosk`` lives here; the sessions, outcome, store, access and
services packages below it are Qt-free and are what the screens call.
"""
