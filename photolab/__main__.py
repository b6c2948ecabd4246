"""``python -m photolab`` runs the command line."""

from photolab.cli import main

if __name__ == "__main__":
    main()
