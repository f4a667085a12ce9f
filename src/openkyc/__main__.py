from openkyc.cli import main

main()
