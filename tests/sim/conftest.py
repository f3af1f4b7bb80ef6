import itertools

import pytest
from sim_helpers import into_router_mode

from atlink import AtChannel
from cassiopeia import cassiopeia_urc_table
from cassiopeia_sim import discard
from cassiopeia_sim.control import SimControl
from cassiopeia_sim.instances import module_for_url

_names = itertools.count()


@pytest.fixture
def simulator():
    """simulator(query="") -> (AtChannel at the ready module, SimControl), fresh each call."""
    made = []

    def _make(query: str = "", echo: bool = False):
        name = f"t{next(_names)}"
        url = f"sim://{name}?profile=fast" + (f"&{query}" if query else "")
        at = AtChannel(url, urc_table=cassiopeia_urc_table())
        at.command("AT", timeout=5)  # answered once the module has booted
        if not echo:
            at.command("ATE0")
        made.append((name, at))
        return at, SimControl(module_for_url(url))

    yield _make
    for name, at in made:
        at.close()
        discard(name)


@pytest.fixture
def router(simulator):
    """A module in router mode (bypass disabled, rebooted), registered: (at, control)."""
    at, control = simulator("locked=0")
    into_router_mode(at, control)
    return at, control
