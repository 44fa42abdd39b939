"""Run the strategic assessment end to end and print where the report is.

    python run_assessment.py                      # the synthetic demo (config/demo.yaml)
    python run_assessment.py --config config/real_2024.yaml
    python run_assessment.py --help
"""
import sys

from pipeline.runner import main

if __name__ == "__main__":
    sys.exit(main())
