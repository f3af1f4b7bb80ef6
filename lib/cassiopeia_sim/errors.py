"""Errors the simulated module answers with, and their texts.

Kept apart from atlink's table on purpose: the simulator is an independent second
implementation, so a wrong text on one side shows up as a failure, not as agreement.
Texts are 3GPP TS 27.007 section 9.2, plus the Sequans upgrade codes (reference 5.1).
"""

from __future__ import annotations

__all__ = ["CME_TEXT", "CmeFail", "SyntaxFail"]

CME_TEXT = {
    3: "operation not allowed",
    4: "operation not supported",
    10: "SIM not inserted",
    11: "SIM PIN required",
    12: "SIM PUK required",
    13: "SIM failure",
    14: "SIM busy",
    16: "incorrect password",
    21: "invalid index",
    30: "no network service",
    50: "Incorrect parameters",
    100: "unknown",
    148: "unspecified GPRS error",
    151: "Last PDN disconnection not allowed",
    171: "Last PDN disconnection not allowed",
    528: "Upgrade failed: General error",
    529: "Upgrade failed: Corrupted image",
    530: "Upgrade failed: Invalid signature",
    531: "Upgrade failed: Network error",
    532: "Upgrade failed: Upgrade already in progress",
    533: "Upgrade cancel failed: No upgrade in progress",
}


class CmeFail(Exception):
    """Answer +CME ERROR: <code> (or ERROR, per +CMEE)."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class SyntaxFail(Exception):
    """Answer plain ERROR whatever +CMEE says: unknown command, bad parameter."""
