"""cassiopeia: what a Sequans Cassiopeia module's AT commands mean, typed."""

from .errors import ParseError
from .info import Clock, Identity, Subscriber, parse_cclk, parse_cgsn, parse_cnum
from .module import FUNCTIONALITY, Cassiopeia
from .sim import PinState, Retries, parse_clck, parse_cpin, parse_cpinr
from .urcs import cassiopeia_timeouts, cassiopeia_urc_table

__all__ = [
    "Cassiopeia", "Clock", "FUNCTIONALITY", "Identity", "ParseError", "PinState", "Retries", "Subscriber",
    "cassiopeia_timeouts", "cassiopeia_urc_table", "parse_cclk", "parse_cgsn", "parse_clck", "parse_cnum",
    "parse_cpin", "parse_cpinr",
]
