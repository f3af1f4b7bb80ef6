"""Fixtures of guide 1.2: settings the network use cases change, restored afterwards."""

import pytest

from fixtures.modem import needs_actions


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
def rf_control(bench, bench_actions, pytestconfig):
    """Take the coverage away and give it back: `rf_control.do("rf_off")` (a shield box, an
    attenuator, the simulator)."""
    needs_actions(pytestconfig, bench, bench_actions, "rf-control", "rf_off", "rf_on")
    yield bench_actions
    bench_actions.do("rf_on")


@pytest.fixture
def signal_control(bench, bench_actions, pytestconfig):
    """Set the serving cell's levels: `signal_control.do("signal", rsrp=-100.5, rsrq=-10.25)`
    (a calibrated attenuator, a network emulator, the simulator); the usual ones after."""
    needs_actions(pytestconfig, bench, bench_actions, "rf-control", "signal", "signal_reset")
    yield bench_actions
    bench_actions.do("signal_reset")


@pytest.fixture
def network_control(bench, bench_actions, pytestconfig):
    """Make the network reject attach: `network_control.do("network_reject", cause=15)`; the
    network accepts again after the test."""
    needs_actions(
        pytestconfig, bench, bench_actions, "network-control", "network_reject", "network_accept"
    )
    yield bench_actions
    bench_actions.do("network_accept")


@pytest.fixture
def visited_network(modem, bench, bench_actions, pytestconfig):
    """Only a visited network to register on; the home network and its registration after."""
    needs_actions(
        pytestconfig, bench, bench_actions, "network-control", "visited_network", "home_network"
    )
    bench_actions.do("visited_network")
    yield bench_actions
    bench_actions.do("home_network")
    modem.network.attach(False)
    modem.network.attach()
    modem.network.wait_registration()


@pytest.fixture
def attached(modem):
    """The module registered on the network (AT+CGATT=1 if a previous test detached it)."""
    reg = modem.network.registration()
    if not reg.registered and reg.stat != 2:
        modem.network.attach()
    return modem.network.wait_registration()
