package redis_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/djauth/auth"
	"github.com/djauth/auth/store/memory"
	redisstore "github.com/djauth/auth/store/redis"
)

// This example needs a Redis server, so it is compiled but not run.
func ExampleNewSessionStore() {
	opts, err := goredis.ParseURL(os.Getenv("REDIS_URL"))
	if err != nil {
		log.Fatal(err)
	}
	client := goredis.NewClient(opts)
	defer client.Close()
	sessions, err := redisstore.NewSessionStore(client, redisstore.Options{Prefix: "myapp:session:"})
	if err != nil {
		log.Fatal(err)
	}
	a, err := auth.New(auth.Config[auth.User]{
		Store:     memory.New[auth.User](),
		SecretKey: os.Getenv("SECRET_KEY"),
		Sessions:  auth.SessionConfig{Store: sessions, Lifetime: 14 * 24 * time.Hour},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer a.Close()

	// Every session the app has, by token.
	all, err := sessions.AllCtx(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(all), "sessions")
}
