"""photolab: the review desk every sensitive photograph passes through before publication.

Pipeline: load -> inspect -> detect -> review -> redact -> encode -> verify -> export.
Each stage is a plain function over plain data, in its own module.
"""

__version__ = "0.1.0"
