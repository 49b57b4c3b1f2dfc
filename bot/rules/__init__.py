"""Pure rules: values in, values out, an explicit `now` where time matters. No I/O here."""
