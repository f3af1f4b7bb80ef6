"""Fixtures of guide 1.2: settings the network use cases change, restored afterwards."""

import pytest


@pytest.fixture
def network_settings(modem):
    """Autoconnect is persistent: whatever a test sets, the bench gets its own back."""
    net = modem.network
    autoconnect, auto_attach = net.autoconnect(), net.auto_attach()
    yield net
    if not modem.at.is_open:
        modem.reconnect()
    modem.set_echo(False)
    if net.autoconnect() != autoconnect:
        net.set_autoconnect(bool(autoconnect))
    net.set_auto_attach(bool(auto_attach))
    net.set_registration_reports(0)
    if net.operator().mode != 0:
        net.select_operator(0)


@pytest.fixture
def rf_control(bench, bench_control, pytestconfig):
    """Take the coverage away and give it back (an RF attenuator or shield box; the simulator)."""
    from fixtures.capabilities import capabilities_of

    if "rf-control" not in capabilities_of(pytestconfig) or bench_control is None:
        pytest.skip(f"bench {bench.name!r} cannot take the coverage away")
    yield bench_control
    bench_control.set_coverage(True)


@pytest.fixture
def attached(modem):
    """The module registered on the network (AT+CGATT=1 if a previous test detached it)."""
    reg = modem.network.registration()
    if not reg.registered and reg.stat != 2:
        modem.network.attach()
    return modem.network.wait_registration()
