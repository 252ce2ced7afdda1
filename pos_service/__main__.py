from pos_service.cli import main

main()
