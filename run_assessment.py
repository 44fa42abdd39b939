"""Run the strategic assessment end to end and print where the report is.

    python run_assessment.py                      # the synthetic demo (config/demo.yaml)
    python run_assessment.py --config config/real_2024.yaml
    python run_assessment.py --help
"""
import sys

# jsonschema, which nbformat and papermill import, imports rfc3987_syntax when it is installed (jupyter's
# dependencies install it), and that compiles 38 grammars for the 'iri' format checks: a second in every
# process, for two checks no notebook schema uses (python-jsonschema/jsonschema#1428). Marked absent, the
# module is skipped and jsonschema leaves those two formats unchecked. Spawned batch workers run this too.
sys.modules.setdefault("rfc3987_syntax", None)

from pipeline.runner import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
