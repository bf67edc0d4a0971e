"""Allow `python -m monitor`."""

from monitor.cli.app import main

main()
