"""Timing profiles: how long the simulated module takes to do things.

`realistic` follows what the reference and real drivers report (boot within a few
seconds, SIM initialisation, attach); `fast` keeps every ordering but shrinks the
delays so a CI run spends its time testing, not waiting.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

__all__ = ["PROFILES", "Profile"]


@dataclass(frozen=True)
class Profile:
    name: str
    usb_down: float  # the ACM port is gone after a reset, before it enumerates again
    boot: float  # port present -> +SYSSTART
    sim_init: float  # SIM powered -> PIN state known (SIM busy meanwhile)
    sim_store: float  # SIM unlocked -> +IMSSTATE: SIMSTORE,READY
    command: float  # ordinary command processing time
    scan: float  # PLMN scan (AT+BGLTEPLMN=?)
    attach: float  # +CEREG: 2 -> +CEREG: 1
    detach: float
    pdp: float  # PDN activation
    download_step: float  # pause between firmware download progress reports
    install: float  # image validated -> "installed"
    download_timeout: float  # a download server silent this long has failed
    download_deadline: float  # a whole download taking longer than this has failed

    def scaled(self, factor: float) -> Profile:
        values = {f.name: getattr(self, f.name) * factor for f in fields(self) if f.name != "name"}
        return Profile(name=f"{self.name}x{factor:g}", **values)


PROFILES = {
    "realistic": Profile(
        "realistic",
        usb_down=1.0,
        boot=2.5,
        sim_init=0.4,
        sim_store=0.8,
        command=0.005,
        scan=8.0,
        attach=2.0,
        detach=0.5,
        pdp=0.6,
        download_step=0.05,
        install=2.0,
        download_timeout=60.0,
        download_deadline=600.0,
    ),
    "fast": Profile(
        "fast",
        usb_down=0.02,
        boot=0.1,
        sim_init=0.005,
        sim_store=0.005,
        command=0.0,
        scan=0.05,
        attach=0.02,
        detach=0.005,
        pdp=0.005,
        download_step=0.0,
        install=0.01,
        download_timeout=2.0,
        download_deadline=3.0,
    ),
}
