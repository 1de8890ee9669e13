package ratelimit

import (
	"context"
	"fmt"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// Redis is a Store shared by every gateway replica: GCRA in a Lua script
// (github.com/go-redis/redis_rate), one key per budget under Prefix.
type Redis struct {
	lim    *redis_rate.Limiter
	prefix string
}

// NewRedis returns a store on client; keys are prefixed with prefix (e.g.
// "hookgate:rl:") so that they never collide with other users of the server.
func NewRedis(client *redis.Client, prefix string) *Redis {
	return &Redis{lim: redis_rate.NewLimiter(client), prefix: prefix}
}

// Allow charges one event to key. An error means Redis could not be asked;
// the caller decides whether to fail open.
func (r *Redis) Allow(ctx context.Context, key string, l Limit) (Decision, error) {
	if l.IsZero() {
		return Decision{Allowed: true}, nil
	}
	res, err := r.lim.Allow(ctx, r.prefix+key, redis_rate.Limit{Rate: l.Rate, Period: l.Per, Burst: l.Burst})
	if err != nil {
		return Decision{}, fmt.Errorf("redis rate limit: %w", err)
	}
	if res.Allowed > 0 {
		return Decision{Allowed: true}, nil
	}
	return Decision{RetryAfter: retryAfter(res.RetryAfter)}, nil
}
