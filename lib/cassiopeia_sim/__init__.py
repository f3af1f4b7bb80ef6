"""cassiopeia_sim: a faithful second implementation of a Sequans Cassiopeia module."""

from .instances import discard, module_for_url
from .module import SimulatedModule
from .profiles import PROFILES, Profile

__all__ = ["PROFILES", "Profile", "SimulatedModule", "discard", "module_for_url"]
