"""The one error every parser in lib/cassiopeia raises on input it cannot read."""

__all__ = ["ParseError"]


class ParseError(ValueError):
    def __init__(self, what: str, text: str) -> None:
        super().__init__(f"cannot parse {what} from {text!r}")
        self.what, self.text = what, text
