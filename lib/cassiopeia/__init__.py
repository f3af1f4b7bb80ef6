"""cassiopeia: what a Sequans Cassiopeia module's AT commands mean, typed.

The errors a command can raise are atlink's, re-exported here: suites speak to this
layer only (ARCHITECTURE.md).
"""

from atlink import AtTimeout, CmeError, CommandError, OnlineClosed, PortLost

from .errors import ParseError
from .info import Clock, Identity, Subscriber, parse_cclk, parse_cgsn, parse_cnum
from .module import FUNCTIONALITY, Cassiopeia
from .network import (
    Cereg,
    Cesq,
    parse_bgltplmn,
    parse_cereg,
    parse_cesq,
    parse_cops_read,
    parse_cops_test,
    rsrp_dbm,
    rsrq_db,
)
from .pdp import parse_cgact, parse_cgcontrdp, parse_cgdcont
from .sim import PinState, Retries, parse_clck, parse_cpin, parse_cpinr
from .urcs import cassiopeia_timeouts, cassiopeia_urc_table

__all__ = [
    "FUNCTIONALITY",
    "AtTimeout",
    "Cassiopeia",
    "Cereg",
    "Cesq",
    "Clock",
    "CmeError",
    "CommandError",
    "Identity",
    "OnlineClosed",
    "ParseError",
    "PinState",
    "PortLost",
    "Retries",
    "Subscriber",
    "cassiopeia_timeouts",
    "cassiopeia_urc_table",
    "parse_bgltplmn",
    "parse_cclk",
    "parse_cereg",
    "parse_cesq",
    "parse_cgact",
    "parse_cgcontrdp",
    "parse_cgdcont",
    "parse_cgsn",
    "parse_clck",
    "parse_cnum",
    "parse_cops_read",
    "parse_cops_test",
    "parse_cpin",
    "parse_cpinr",
    "rsrp_dbm",
    "rsrq_db",
]
