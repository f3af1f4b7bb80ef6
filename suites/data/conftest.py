"""Fixtures of guide 3: the module in router mode (bypass disabled), attached, sockets closed."""

import pytest

from fixtures.capabilities import capabilities_of

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


@pytest.fixture
def data_modem(router_mode, modem):
    """At baseline, registered, every socket closed, the escape guard time set."""
    modem.network.wait_registration()
    for conn_id, state in modem.sockets.status().items():
        if state.state != 0:
            modem.sockets.close(conn_id)
    guard = GUARD if modem.at.command(f"ATS12={round(GUARD / 0.02)}", check=False).ok else 1.0
    modem.escape_guard = guard
    return modem
