import sys

from nudgebot.cli import main

sys.exit(main())
