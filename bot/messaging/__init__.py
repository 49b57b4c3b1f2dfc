"""What the bot says on its own: turns the services' events and results into messages.

Each module here is named after its feature and registers, on import, the listeners of that feature's
events (`bot.events.on`): it renders with `bot.views` and queues in the outbox in the publisher's
transaction (`bot.notify.enqueue`). Publishing the Home (`views.publish`, which is not a message) lives
here too. Importing this package registers every listener; every entry point does.
"""

from bot.messaging import (
    approvals,  # noqa: F401
    channels,  # noqa: F401
    churn,  # noqa: F401
    clients,  # noqa: F401
    complaints,  # noqa: F401
    digest,  # noqa: F401
    followups,  # noqa: F401
    home,  # noqa: F401
    merge,  # noqa: F401
    mornings,  # noqa: F401
    people,  # noqa: F401
    pool,  # noqa: F401
    quiet,  # noqa: F401
    recycle,  # noqa: F401
    reports,  # noqa: F401
)
