// The spinner shown while a page or the session loads.
import { Box, CircularProgress } from '@mui/material';

export const Loading = () => <Box sx={{ p: 4 }} role="status" aria-label="Loading"><CircularProgress aria-label="Loading" /></Box>;
