"""pyserial URL handlers of the simulator (registered as the `atlink.url_handlers` entry point)."""
