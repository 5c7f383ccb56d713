from partcost.cli.main import main

main()
