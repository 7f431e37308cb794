from ae_core.cli import main

raise SystemExit(main())
