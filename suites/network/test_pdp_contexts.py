"""Guide 1.2.2: PDP context use cases."""

import ipaddress

import pytest

from cassiopeia import parse_cgact, parse_cgcontrdp, parse_cgdcont
from fixtures.checks import check, observe

usecase = pytest.mark.usecase
SPARE_CID = 2  # the guide's example context


@pytest.fixture
def spare_context(modem, attached):
    """cid 2 as the guide uses it; the bench's own definition (if any) comes back afterwards."""
    before = modem.network.contexts().get(SPARE_CID)
    yield SPARE_CID
    if modem.network.activation().get(SPARE_CID):
        modem.network.activate(SPARE_CID, False)
    if before is None:
        if SPARE_CID in modem.network.contexts():
            modem.network.undefine_context(SPARE_CID)
    else:
        modem.network.define_context(SPARE_CID, before.pdp_type, before.apn)


@usecase("1.2.2", "Check the PDP context status")
def test_check_pdp_context_status(modem, attached):
    contexts = parse_cgdcont(modem.at.command("AT+CGDCONT?").lines)
    assert 1 in contexts, "the default context (cid 1) is defined"
    assert contexts[1].pdp_type in ("IP", "IPV6", "IPV4V6")
    state = parse_cgact(modem.at.command("AT+CGACT?").lines)
    assert state.get(1) is True, "an attached LTE module has its default bearer active"
    assert set(state) == set(contexts)  # one +CGACT line per defined context


@usecase("1.2.2", "Define a new PDP context and activate it")
def test_define_and_activate_context(modem, spare_context):
    cid = spare_context
    modem.at.command(f'AT+CGDCONT={cid},"IP","custom"')
    assert modem.network.contexts()[cid].apn == "custom"
    modem.at.command(f"AT+CGACT=1,{cid}")
    state = parse_cgact(modem.at.command("AT+CGACT?").lines)
    assert state[1] and state[cid]


@usecase("1.2.2", "Read dynamic parameters of PDP context")
def test_read_dynamic_parameters(modem, spare_context):
    cid = spare_context
    modem.network.define_context(cid, "IP", "custom")
    modem.network.activate(cid)
    all_params = parse_cgcontrdp(modem.at.command("AT+CGCONTRDP").lines)
    assert {p.cid for p in all_params} >= {1, cid}
    one = parse_cgcontrdp(modem.at.command("AT+CGCONTRDP=1").lines)
    assert {p.cid for p in one} == {1}
    p = one[0]
    assert 5 <= p.bearer_id <= 15  # EPS bearer identities
    assert p.apn.startswith(modem.network.contexts()[1].apn) and ".gprs" in p.apn
    ipaddress.ip_address(p.address)
    ipaddress.ip_address(p.dns_primary)
    if p.mask:
        ipaddress.ip_network(
            f"0.0.0.0/{p.mask}" if "." in p.mask and p.mask.count(".") == 3 else "::/0"
        )


@usecase("1.2.2", "Read dynamic parameters of PDP context")
def test_dynamic_parameters_of_an_inactive_context(modem, spare_context):
    cid = spare_context
    modem.network.define_context(cid, "IP", "custom")  # defined, not activated
    r = modem.at.command(f"AT+CGCONTRDP={cid}", check=False)
    check(
        not r.ok and not r.lines,
        "AT+CGCONTRDP=<cid> of an inactive context is an error",
        "reference 3.10",
        got=[*r.lines, r.final.line],
    )


@usecase("1.2.2", "The last PDN cannot be disconnected")
def test_the_last_pdn_cannot_be_disconnected(modem, attached):
    active = [cid for cid, on in modem.network.activation().items() if on]
    if len(active) != 1:
        pytest.skip(f"{len(active)} PDNs are active on this bench: none of them is the last")
    r = modem.at.command(f"AT+CGACT=0,{active[0]}", check=False)
    check(
        not r.ok,
        "AT+CGACT=0 on the last active PDN is refused (ERROR or +CME ERROR)",
        "reference 3.7",
        got=r.final.line,
    )
    observe("the refusal", r.final.line)  # 27.007 names 171, MON's table 151
    assert modem.network.activation()[active[0]] and modem.network.registration().registered


@usecase("1.2.2", "Configure PDP context")
def test_configure_pdp_context(modem, spare_context):
    cid = spare_context
    modem.network.define_context(cid, "IP", "custom")
    modem.network.activate(cid)
    # the guide deactivates before configuring; what an active context's reconfiguration
    # gives, no source says
    r = modem.at.command(f'AT+CGDCONT={cid},"IPV4V6","custom"', check=False)
    observe("AT+CGDCONT on an active context", r.final.line)
    modem.at.command(f"AT+CGACT=0,{cid}")  # deactivate cid 2 before configuring it
    modem.at.command(f'AT+CGDCONT={cid},"IPV4V6","custom"')
    assert modem.network.contexts()[cid].pdp_type == "IPV4V6"


@usecase("1.2.2", "Set authentication")
def test_set_authentication(modem, attached):
    modem.at.command('AT+CGAUTH=1,0,"",""')
    lines = modem.at.command("AT+CGAUTH?").lines
    assert any(line.startswith("+CGAUTH: 1,0") for line in lines), lines
