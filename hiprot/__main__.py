from hiprot.cli import main

main()
