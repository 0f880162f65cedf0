"""Parity warm-up: an LSTM learning the parity of bit strings, fixed vs variable lengths."""
