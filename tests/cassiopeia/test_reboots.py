"""A reboot is followed for as long as the module's own timeouts allow, never longer.

CI found a run against a bench that died during AT^RESET waiting a full unscaled minute for the
port with --timeout-multiplier 0.1: the reboot waits ignored the multiplier.
"""

from __future__ import annotations

import re

import pytest

from atlink import PortLost
from cassiopeia import Cassiopeia
from cassiopeia.module import REBOOT_WAIT
from support.fake_device import PtyDevice, Script


@pytest.fixture
def dying_module(tmp_path):
    script = Script({"AT": b"\r\nOK\r\n"})
    device = PtyDevice(script)
    # a stable name, as udev gives a USB module: a freed pty number is soon another test's
    stable = tmp_path / "ttyModule"
    stable.symlink_to(device.path)

    def die(line: str) -> None:
        device.write(b"\r\nOK\r\n")
        stable.unlink()
        device.vanish()

    script.replies["AT^RESET"] = die
    module = Cassiopeia(str(stable), timeout_multiplier=0.02)
    yield module
    module.close()
    device.vanish()


def test_a_port_that_never_returns_after_a_reset_is_waited_for_the_scaled_reboot_time(
    dying_module,
):
    with pytest.raises(PortLost, match=r"within \d+\.\d s") as lost:
        dying_module.reset()
    waited = float(re.search(r"within (\d+\.\d) s", str(lost.value)).group(1))
    assert waited <= REBOOT_WAIT * 0.02


def test_the_reboot_wait_scales_with_the_timeout_multiplier(dying_module):
    assert dying_module.reboot_wait == pytest.approx(REBOOT_WAIT * 0.02)
