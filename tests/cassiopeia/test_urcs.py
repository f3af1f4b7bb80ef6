"""Which Cassiopeia lines are URCs, during the command whose reply shares their prefix."""

import pytest

from cassiopeia import cassiopeia_urc_table


@pytest.mark.parametrize(
    ("command", "line", "urc"),
    [
        ("AT+SQNSLUDP?", "+SQNSLUDP: 2", False),  # the read reply lists listeners
        ("AT+SQNSLUDP?", "+SQNSLUDP: ABORTED", True),  # reference 6.12: the network closed it
        ("AT+SQNSLUDP=1,1,5000", "+SQNSLUDP: ABORTED", True),
        ("AT+CGMR", "+SQNSLUDP: ABORTED", True),
        ("AT+CEDRXS?", '+CEDRXP: 4,"0101","0101","0011"', True),  # 27.007 10.1.42
        ("AT+SQNSUPGRADE?", '+SQNSUPGRADE: "idle"', False),
    ],
)
def test_a_line_is_a_urc_or_an_answer(command, line, urc):
    expected = command[2:].split("=")[0].split("?")[0] + ":"
    assert cassiopeia_urc_table().is_urc(line, command, expected) is urc
