"""cassiopeia: what a Sequans Cassiopeia module's AT commands mean, typed."""

from .errors import ParseError
from .info import Clock, Identity, Subscriber, parse_cclk, parse_cgsn, parse_cnum
from .module import FUNCTIONALITY, Cassiopeia
from .network import (
    Cereg,
    Cesq,
    parse_bgltplmn,
    parse_cereg,
    parse_cesq,
    parse_cgact,
    parse_cgcontrdp,
    parse_cgdcont,
    parse_cops_read,
    parse_cops_test,
    rsrp_dbm,
    rsrq_db,
)
from .sim import PinState, Retries, parse_clck, parse_cpin, parse_cpinr
from .urcs import cassiopeia_timeouts, cassiopeia_urc_table

__all__ = [
    "Cereg", "Cesq", "parse_bgltplmn", "parse_cereg", "parse_cesq", "parse_cgact", "parse_cgcontrdp",
    "parse_cgdcont", "parse_cops_read", "parse_cops_test", "rsrp_dbm", "rsrq_db",
    "Cassiopeia", "Clock", "FUNCTIONALITY", "Identity", "ParseError", "PinState", "Retries", "Subscriber",
    "cassiopeia_timeouts", "cassiopeia_urc_table", "parse_cclk", "parse_cgsn", "parse_clck", "parse_cnum",
    "parse_cpin", "parse_cpinr",
]
