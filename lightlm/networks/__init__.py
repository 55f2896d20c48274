"""The plain torch networks: the encoder-decoder, its token layout, FLOP counting (no Lightning)."""
