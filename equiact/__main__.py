import sys

from equiact.cli.main import main

sys.exit(main())
