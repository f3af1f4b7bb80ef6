"""atlink: the AT channel over any pyserial URL. Knows V.250 and 27.007, nothing of Sequans."""

from .channel import CTRL_Z, ESC, AtChannel
from .exchange import expected_prefixes
from .fields import command_form, split_fields, strip_prefix, unquote
from .framing import Framer, Kind, Token
from .masking import MASK, mask_secrets, mask_url
from .online import OnlineSession
from .response import ExchangeRecord, Response
from .results import (
    AtError,
    AtTimeout,
    CallError,
    ChannelClosed,
    CmeError,
    CmsError,
    CommandError,
    Final,
    FinalKind,
    OnlineClosed,
    PortLost,
    classify_final,
)
from .timeouts import DEFAULT_TIMEOUTS, Deadline, TimeoutTable
from .transcript import Transcript
from .urc import Urc, UrcStore, UrcTable

__all__ = [
    "CTRL_Z",
    "DEFAULT_TIMEOUTS",
    "ESC",
    "MASK",
    "AtChannel",
    "AtError",
    "AtTimeout",
    "CallError",
    "ChannelClosed",
    "CmeError",
    "CmsError",
    "CommandError",
    "Deadline",
    "ExchangeRecord",
    "Final",
    "FinalKind",
    "Framer",
    "Kind",
    "OnlineClosed",
    "OnlineSession",
    "PortLost",
    "Response",
    "TimeoutTable",
    "Token",
    "Transcript",
    "Urc",
    "UrcStore",
    "UrcTable",
    "classify_final",
    "command_form",
    "expected_prefixes",
    "mask_secrets",
    "mask_url",
    "split_fields",
    "strip_prefix",
    "unquote",
]
