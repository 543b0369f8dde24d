from peakhealth.cli import main

main()
