from sitegen.demo import main

main()
