"""The centre console's Qt-free core: the live feed's messages, staleness, commands.

:mod:`kiosk.centre.model` parses the server's messages into frozen dataclasses and
keeps the board of stations; :mod:`kiosk.centre.client` signs in, sends commands and
keeps the live feed open. The window (:mod:`kiosk.shell.centre_console`) only shows
them. Nothing here imports Qt or the store.
"""

from kiosk.centre.client import (
    CentreApi,
    CentreError,
    CommandRequest,
    FeedState,
    LiveFeed,
    ReconnectPolicy,
    Token,
    feed_url,
    parse_server_url,
)
from kiosk.centre.model import (
    Board,
    LiveSession,
    Message,
    PendingCommand,
    Ping,
    ProtocolError,
    ServerError,
    Snapshot,
    StationChanged,
    StationStatus,
    command_reflected,
    heartbeat_age_s,
    is_stale,
    parse_message,
)

__all__ = [
    "Board",
    "CentreApi",
    "CentreError",
    "CommandRequest",
    "FeedState",
    "LiveFeed",
    "LiveSession",
    "Message",
    "PendingCommand",
    "Ping",
    "ProtocolError",
    "ReconnectPolicy",
    "ServerError",
    "Snapshot",
    "StationChanged",
    "StationStatus",
    "Token",
    "command_reflected",
    "feed_url",
    "heartbeat_age_s",
    "is_stale",
    "parse_message",
    "parse_server_url",
]
