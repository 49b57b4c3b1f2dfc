"""The playground (`python -m bot try`) and the tests' Slack: a Web API stand-in over HTTP
(`standin`), correctly signed requests (`requests`), what each person would see (`world`), the
terminal renderer of Block Kit (`render`), modal answers (`forms`), the sample workspace (`sample`),
the session that drives the real app (`session`) and its command line (`cli`)."""
