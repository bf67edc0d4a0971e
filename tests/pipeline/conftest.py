from tests.support.feed_server import feed_server
from tests.support.webhook_receiver import webhook_receiver

__all__ = ["feed_server", "webhook_receiver"]
