import os
import sys

from pipeline.cli import main

code = main()
# Every output is written and closed by now. Tearing down the interpreter (freeing the analysis'
# objects one by one) took half a second after a run of the bundled sample, longer than some
# stages: the command line ends at once instead. (Library use is unaffected.)
sys.stdout.flush()
sys.stderr.flush()
os._exit(code)
