from tts.cli.main import main

main()
