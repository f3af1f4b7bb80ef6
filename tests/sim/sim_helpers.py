"""Small helpers of the simulator tests."""

from support.waiting import eventually


def reboot(at, control, timeout: float = 5.0) -> None:
    """Reset the simulated module, reopen its port and wait until it answers again."""
    control.reboot()
    at.reopen(timeout=timeout)
    at.command("AT", timeout=timeout)


def into_router_mode(at, control) -> None:
    """Bypass disabled (effective after a reboot), echo off, verbose errors, registered."""
    at.command('AT+SQNBYPASS="disable"')
    reboot(at, control)
    at.command("ATE0;+CMEE=1")
    eventually(lambda: at.command("AT+CEREG?").lines == ["+CEREG: 0,1"], what="registered")
