"""Fixtures of guide 3: the module in router mode (bypass disabled), attached, sockets closed."""

import pytest

from fixtures.capabilities import capabilities_of
from fixtures.modem import needs_actions

GUARD = 0.2  # escape guard time the suites ask for with ATS12 (V.250 default: 1 s)


def _reboot(module, baseline):
    module.reset()
    baseline.restore()
    module.network.wait_registration()


@pytest.fixture(scope="module")
def router_mode(module_session, baseline, pytestconfig):
    """Data over UART needs AT+SQNBYPASS="disable" and a reboot (guide 3).

    A persistent setting: changed only on a bench that allows it (capability destructive, or
    --allow-destructive), and given back at the end.
    """
    module = module_session
    baseline.restore()
    before = module.at.command("AT+SQNBYPASS?").one("+SQNBYPASS:")
    if before != "disabled":
        if "destructive" not in capabilities_of(pytestconfig):
            pytest.skip(
                f'router mode needs AT+SQNBYPASS="disable" (now {before}), a persistent '
                "setting: capability 'destructive' or --allow-destructive"
            )
        module.at.command('AT+SQNBYPASS="disable"')
        _reboot(module, baseline)
    yield module
    if before != "disabled":
        baseline.restore()
        module.at.command('AT+SQNBYPASS="enable"')
        _reboot(module, baseline)


def module_guard(modem) -> float:
    """The escape guard time the module uses now: S12 in fiftieths of a second, else 1 s."""
    r = modem.at.command("ATS12?", check=False)
    return int(r.lines[0]) * 0.02 if r.ok and r.lines and r.lines[0].isdigit() else 1.0


@pytest.fixture
def online_ready(router_mode, modem):
    """At baseline, registered, every socket closed; `escape_guard` the module's own."""
    modem.network.wait_registration()
    for conn_id, state in modem.sockets.status().items():
        if state.state != 0:
            modem.sockets.close(conn_id)
    modem.escape_guard = module_guard(modem)
    return modem


@pytest.fixture
def data_modem(online_ready):
    """As online_ready, with a short escape guard (ATS12) so that escapes do not cost a second
    each; the module's own guard is given back after the test."""
    modem = online_ready
    own = modem.escape_guard
    if modem.at.command(f"ATS12={round(GUARD / 0.02)}", check=False).ok:
        modem.escape_guard = GUARD
    yield modem
    if modem.escape_guard != own:
        modem.at.command(f"ATS12={round(own / 0.02)}", check=False)


@pytest.fixture
def coverage_control(bench, bench_actions, pytestconfig):
    """Take the coverage away and give it back (rf_off, rf_on); given back after the test."""
    needs_actions(pytestconfig, bench, bench_actions, "rf-control", "rf_off", "rf_on")
    yield bench_actions
    bench_actions.do("rf_on")
